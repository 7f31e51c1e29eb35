-- The answers of a handled update, kept until they have been sent. A crash after the step
-- was saved but before its answers reached Telegram leaves them here; Telegram delivers the
-- update again after the restart (it is confirmed only once handled), and they are sent then.
-- JSON of the replies and the button toast; NULL once sent (or given up).
ALTER TABLE processed_updates ADD COLUMN replies TEXT;
