-- Records Zoho listed without an id (so not stored), per entity of a pull,
-- counted with the page they were on (0 for the pulls made before).
ALTER TABLE pull_entities ADD COLUMN without_id INTEGER NOT NULL DEFAULT 0;
