-- PostgreSQL form of sql/008_audit.sql.  What differs: BIGINT columns.
--
-- 008: the audit log an admin reads.  Every change made through the admin
-- pages writes one row in the transaction of the change: who (actor), what
-- (action, e.g. 'coupon.update'), on what (subject, e.g. 'coupon:12'), and
-- the fields that changed, before and after, as JSON objects.
ALTER TABLE audit_log ADD COLUMN before_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE audit_log ADD COLUMN after_json TEXT NOT NULL DEFAULT '{}';
-- The audit page filters by person, action or subject, newest first.
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_subject ON audit_log (subject, id);
