-- Brands a deployment bills under, beside the default one its settings describe
-- (`BILLPASS_BRAND`, `BILLPASS_TOKEN_AUDIENCE`, …), whose id is `default` and which has no
-- row here. A brand's tokens carry its `audience` and open only its own bills, on its own
-- host when it has a `public_url`. Values are checked by `billpass brands` before they
-- are stored; the checks here keep what the pages rely on.
CREATE TABLE brands (
    id            text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,31}$' AND id <> 'default'),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    audience      text NOT NULL UNIQUE,
    public_url    text,
    locale        text,
    timezone      text,
    support_phone text,
    support_email text,
    support_url   text,
    support_hours text,
    pay_url       text,
    email_from    text,
    sms_from      text,
    -- A plain SVG drawing: no script, no external reference (checked when stored).
    logo_svg      text CHECK (length(logo_svg) <= 65536),
    colour        text CHECK (colour ~ '^#[0-9a-f]{6}$'),
    signing_kid   text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- A customer's brand; none: the default brand.
ALTER TABLE customers ADD COLUMN brand_id text REFERENCES brands (id);
CREATE INDEX customers_brand_idx ON customers (brand_id) WHERE brand_id IS NOT NULL;

-- The brand a link was minted for: its token's audience, host and key, and the brand its
-- message wears, whatever becomes of the customer later.
ALTER TABLE link_tokens ADD COLUMN brand_id text REFERENCES brands (id);

-- The bill's page wears the customer's brand.
CREATE OR REPLACE VIEW bill_pages AS
SELECT b.id AS bill_id, c.name, c.account_id, b.cycle, b.period_start, b.period_end,
       b.issued_on, b.due_on, b.currency, b.amount_due, b.previous_balance, b.payments,
       b.lines, b.usage, p.compared AS previous, y.compared AS last_year,
       c.brand_id
FROM bills b
JOIN customers c ON c.id = b.customer_id
LEFT JOIN LATERAL (
    SELECT jsonb_build_object('period_start', p.period_start, 'period_end', p.period_end,
                              'lines', p.lines) AS compared
    FROM bills p
    WHERE p.customer_id = b.customer_id AND p.period_end < b.period_start
      AND p.currency = b.currency
    ORDER BY p.period_end DESC LIMIT 1) p ON true
LEFT JOIN LATERAL (
    SELECT jsonb_build_object('period_start', y.period_start, 'period_end', y.period_end,
                              'lines', y.lines) AS compared
    FROM bills y
    WHERE y.customer_id = b.customer_id AND y.currency = b.currency
      AND y.period_end < b.period_start
      AND y.period_end >= (b.period_start - interval '1 year')::date
      AND y.period_start <= (b.period_end - interval '1 year')::date
    ORDER BY abs(y.period_end - (b.period_end - interval '1 year')::date), y.period_end DESC
    LIMIT 1) y ON true;
