-- A record's id is kept exactly as Zoho wrote it, and Zoho may write it as a
-- JSON string or a JSON number: `"1"` and `1` are two records. `zoho_id`
-- keeps the text (a number's digits as sent) as before, and `zoho_id_number`
-- says the id was a number (0 for every row stored before: Zoho's ids are
-- strings); both are part of a record's key.
ALTER TABLE pull_records ADD COLUMN zoho_id_number INTEGER NOT NULL DEFAULT 0;
DROP INDEX pull_records_key;
CREATE UNIQUE INDEX pull_records_key
    ON pull_records (connection_id, entity, zoho_id, zoho_id_number);
