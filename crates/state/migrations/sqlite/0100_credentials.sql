-- Gateway-held credentials per account (issue 9): the OAuth refresh token
-- (sealed by the gateway with its configured secret before it gets here) and
-- the gateway password's argon2id PHC string. The store never sees plaintext
-- tokens. Numbered 0100 to stay clear of schema steps other features add.
CREATE TABLE credentials (
    account_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    value BLOB NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_name, kind)
);
