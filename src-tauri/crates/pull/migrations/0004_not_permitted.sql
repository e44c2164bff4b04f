-- Record types Zoho refused to the Zoho user who connected (code 57 with a
-- valid sign-in), as a JSON list of entity names; the pull's other record
-- types still finished. NULL: none refused.
ALTER TABLE pulls ADD COLUMN not_permitted TEXT;
