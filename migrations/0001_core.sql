-- 0001_core: the application's business tables, API tokens and export packages.
--
-- ImmoflowMe itself writes organizations, monthly_invoices and ledger_entries into the same
-- database, so these tables may already exist with rows. Nothing here drops, rewrites or
-- truncates: tables are created IF NOT EXISTS, and columns this server needs are added
-- IF NOT EXISTS (nullable, so existing rows stay valid).

CREATE TABLE IF NOT EXISTS organizations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (name <> ''),
    country     text NOT NULL CHECK (country IN ('DE', 'AT')),
    -- Steuernummer (DE, §139a AO context) / Steuernummer (AT); UID / USt-IdNr. separately.
    tax_number  text,
    vat_id      text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE organizations ADD COLUMN IF NOT EXISTS country text;
ALTER TABLE organizations ADD COLUMN IF NOT EXISTS tax_number text;
ALTER TABLE organizations ADD COLUMN IF NOT EXISTS vat_id text;
ALTER TABLE organizations ADD COLUMN IF NOT EXISTS created_at timestamptz DEFAULT now();

CREATE TABLE IF NOT EXISTS tenants (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    name             text NOT NULL CHECK (name <> ''),
    unit             text NOT NULL DEFAULT '',
    -- residential rent and commercial rent differ in VAT (AT: 10 % vs 20 %, §10 UStG 1994).
    usage            text NOT NULL DEFAULT 'residential' CHECK (usage IN ('residential', 'commercial')),
    created_at       timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS unit text DEFAULT '';
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS usage text DEFAULT 'residential';
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS created_at timestamptz DEFAULT now();
CREATE INDEX IF NOT EXISTS tenants_organization ON tenants (organization_id);

CREATE TABLE IF NOT EXISTS monthly_invoices (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    invoice_number   text NOT NULL CHECK (invoice_number <> ''),
    period           date NOT NULL CHECK (extract(day FROM period) = 1),
    issued_at        timestamptz NOT NULL,
    due_date         date,
    net_amount       numeric(12,2) NOT NULL,
    vat_rate         numeric(5,2) NOT NULL CHECK (vat_rate >= 0 AND vat_rate < 100),
    vat_amount       numeric(12,2) NOT NULL,
    gross_amount     numeric(12,2) NOT NULL,
    currency         text NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    status           text NOT NULL DEFAULT 'open'
                     CHECK (status IN ('open', 'partially_paid', 'paid', 'cancelled')),
    description      text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, invoice_number),
    CHECK (gross_amount = net_amount + vat_amount)
);
ALTER TABLE monthly_invoices ADD COLUMN IF NOT EXISTS due_date date;
ALTER TABLE monthly_invoices ADD COLUMN IF NOT EXISTS currency text DEFAULT 'EUR';
ALTER TABLE monthly_invoices ADD COLUMN IF NOT EXISTS description text DEFAULT '';
ALTER TABLE monthly_invoices ADD COLUMN IF NOT EXISTS created_at timestamptz DEFAULT now();
CREATE INDEX IF NOT EXISTS monthly_invoices_org_period ON monthly_invoices (organization_id, period);

CREATE TABLE IF NOT EXISTS ledger_entries (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    booking_date     date NOT NULL,
    -- SKR/kontenrahmen-style account number or name, e.g. '8100' (Mieterträge).
    account          text NOT NULL CHECK (account <> ''),
    -- Charges are positive, payments negative: per tenant sum(amount) = open balance.
    amount           numeric(12,2) NOT NULL,
    entry_type       text NOT NULL DEFAULT 'charge' CHECK (entry_type IN ('charge', 'payment', 'adjustment')),
    description      text NOT NULL DEFAULT '',
    invoice_id       uuid REFERENCES monthly_invoices (id),
    created_at       timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE ledger_entries ADD COLUMN IF NOT EXISTS entry_type text DEFAULT 'charge';
ALTER TABLE ledger_entries ADD COLUMN IF NOT EXISTS invoice_id uuid;
ALTER TABLE ledger_entries ADD COLUMN IF NOT EXISTS created_at timestamptz DEFAULT now();
CREATE INDEX IF NOT EXISTS ledger_entries_org_date ON ledger_entries (organization_id, booking_date);
CREATE INDEX IF NOT EXISTS ledger_entries_tenant ON ledger_entries (tenant_id);

-- API bearer tokens. Only an HMAC-SHA-256 of the token (keyed with the server's pepper) is stored.
CREATE TABLE IF NOT EXISTS api_tokens (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name             text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
    token_hash       bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    role             text NOT NULL CHECK (role IN ('viewer', 'auditor', 'operator', 'admin')),
    organization_id  uuid REFERENCES organizations (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz,
    revoked_at       timestamptz,
    last_used_at     timestamptz,
    -- an auditor always works on exactly one organization
    CHECK (role <> 'auditor' OR organization_id IS NOT NULL)
);

-- Each built GoBD/BAO export package and its WORM lock state.
CREATE TABLE IF NOT EXISTS export_packages (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id       uuid NOT NULL REFERENCES organizations (id),
    period_start          date NOT NULL,
    period_end            date NOT NULL,
    profile               text NOT NULL CHECK (profile IN ('gobd', 'bao')),
    sha256                bytea CHECK (octet_length(sha256) = 32),
    size_bytes            bigint CHECK (size_bytes >= 0),
    storage_key           text,
    version_id            text,
    lock_mode             text CHECK (lock_mode IN ('COMPLIANCE', 'GOVERNANCE')),
    retain_until          timestamptz,
    legal_hold            boolean NOT NULL DEFAULT false,
    created_at            timestamptz NOT NULL DEFAULT now(),
    last_verified_at      timestamptz,
    last_verification_ok  boolean,
    CHECK (period_end >= period_start)
);
CREATE INDEX IF NOT EXISTS export_packages_org ON export_packages (organization_id, period_start);
