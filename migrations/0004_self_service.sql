-- "Get a new link" requests typed on /link, waiting for a worker. The web records every
-- well-formed request the same way, so the answer never depends on whether the address is
-- on file; a worker looks the address up and mints off the request path. A row lives only
-- until it is answered: addresses typed by strangers are not kept.
CREATE TABLE link_requests (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel      text NOT NULL CHECK (channel IN ('email', 'sms')),
    -- Lower-case email address, or phone number in E.164.
    address      text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now()
);
