-- When "Check my keys" asked each data center (a token request with a
-- made-up code), shared by the window and zbsetup: the app asks each data
-- center at most a few times in ten minutes, far inside Zoho's limits on
-- token requests. Rows older than a day are dropped.
CREATE TABLE key_probes (
    region TEXT NOT NULL,
    at_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX key_probes_by_region ON key_probes (region, at_ms);
