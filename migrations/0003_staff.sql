-- Staff API keys. Only the SHA-256 of a key is kept: the key itself is shown once, when it
-- is created. A name belongs to at most one active key; a revoked key's name may be reused.
CREATE TABLE staff_keys (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('billing', 'csr', 'admin')),
    key_hash      bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL,
    -- Updated at most once a minute, so that using a key costs no write per request.
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    revoked_by    text
);
CREATE UNIQUE INDEX staff_keys_active_name_idx ON staff_keys (name) WHERE revoked_at IS NULL;

-- Every state-changing staff action: who (`staff:NAME` with the key's role, or `cli:USER`
-- for the command line), what, to what, why and when. Written in the same transaction as
-- the action itself.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,
    role         text CHECK (role IN ('billing', 'csr', 'admin')),
    action       text NOT NULL,
    target       text NOT NULL,
    -- Set for actions on one customer, so that the customer lookup shows them.
    customer_id  bigint,
    reason       text,
    details      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at, id);
CREATE INDEX audit_log_customer_idx ON audit_log (customer_id, id) WHERE customer_id IS NOT NULL;

-- Why staff sent a customer a fresh link (`reason = 'resend'`).
ALTER TABLE link_tokens ADD COLUMN resend_reason text;

-- Attempts in a row that ended in an error; a run that fails this way too often is marked
-- `failed` instead of being retried for ever.
ALTER TABLE cycle_runs ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0;
