class AuditLog < ApplicationRecord
  self.table_name = "audit_log"

  belongs_to :account
  belongs_to :user, optional: true
  # The audited record may be gone since: not a reference the copy can keep whole.
  # belongs_to :record, polymorphic: true
end
