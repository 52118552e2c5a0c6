class Account < ApplicationRecord
  has_many :users
  has_many :projects
  has_many :events
  has_many :invoices
end
