class Invoice < ApplicationRecord
  belongs_to :account
  has_many :lines, class_name: "InvoiceLine"
end
