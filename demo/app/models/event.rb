class Event < ApplicationRecord
  belongs_to :account
  belongs_to :user, optional: true
end
