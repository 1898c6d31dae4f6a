-- People who work in the staff console, signed in by an emailed link or by the company's
-- identity provider (OpenID Connect). Disabling one ends their sessions at once.
CREATE TABLE staff_members (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Lower case.
    email          text NOT NULL UNIQUE,
    role           text NOT NULL CHECK (role IN ('billing', 'csr', 'admin')),
    -- The identity provider's `sub`, once they signed in through it.
    oidc_subject   text UNIQUE,
    -- The newest emailed sign-in link (its `jti`): only it signs in, once.
    sign_in_jti    text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text NOT NULL,
    disabled_at    timestamptz,
    disabled_by    text
);

-- Addresses typed on /staff/sign-in, recorded whether or not they are staff's and answered
-- by the workers, so that the page answers alike for both.
CREATE TABLE staff_sign_in_requests (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    address      text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now()
);

-- Console sessions: only the SHA-256 of the cookie's secret is kept. 30 minutes idle and
-- 12 hours at most; `seen_at` is written at most once a minute.
CREATE TABLE staff_sessions (
    id_hash     bytea PRIMARY KEY,
    staff_id    bigint NOT NULL REFERENCES staff_members (id) ON DELETE CASCADE,
    -- Every form of the session carries it.
    csrf_token  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    seen_at     timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz
);
CREATE INDEX staff_sessions_staff_idx ON staff_sessions (staff_id);

-- OpenID Connect sign-ins under way: the browser holds the `state`, the server its PKCE
-- verifier and nonce, for ten minutes, used once.
CREATE TABLE staff_oidc_logins (
    state          text PRIMARY KEY,
    pkce_verifier  text NOT NULL,
    nonce          text NOT NULL,
    next_path      text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
