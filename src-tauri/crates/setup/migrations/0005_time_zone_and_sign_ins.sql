-- The organization's time zone as Zoho names it (America/New_York): Zoho
-- resets the daily quota at its midnight, which a pull stopped by the quota
-- waits for when no header said when. NULL: connected before this step.
ALTER TABLE connections ADD COLUMN time_zone TEXT;

-- Sign-ins started on this computer (the window and zbsetup alike), per
-- Client ID: Zoho gives at most 10 authorization codes per Client ID in 10
-- minutes, and the platform's customers draw on the same ten.
CREATE TABLE sign_in_starts (
    client_id TEXT NOT NULL,
    started_at_ms INTEGER NOT NULL
);
CREATE INDEX sign_in_starts_by_client ON sign_in_starts (client_id, started_at_ms);
