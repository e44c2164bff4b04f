-- The Zoho user whose sign-in a connection holds (Books' GET /users/me):
-- Zoho keeps at most 20 sign-ins per user and client, so connections are
-- counted per user. The e-mail address is the same account in every
-- organization; the role is the user's in the connected organization.
-- NULL: connected before this step, or Zoho did not say.
ALTER TABLE connections ADD COLUMN zoho_user_email TEXT;
ALTER TABLE connections ADD COLUMN zoho_user_role TEXT;
