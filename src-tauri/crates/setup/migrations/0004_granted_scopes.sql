-- What Zoho let a connection read: the scope its sign-in was granted (the
-- token answer's "scope", else the scope asked for), so a record type the
-- sign-in did not cover is named with "reconnect to allow it" before any
-- call. NULL: connected before this step, when every sign-in asked for all
-- eight read scopes.
ALTER TABLE connections ADD COLUMN granted_scopes TEXT;
