-- 031: e-mail for tickets (issue 7). A per-mailbox signature appended to agents' e-mailed
-- replies; "{agent}" in it becomes the replying agent's name. (Additive: mailboxes is 027's.)
ALTER TABLE mailboxes ADD COLUMN signature TEXT NOT NULL DEFAULT '';
