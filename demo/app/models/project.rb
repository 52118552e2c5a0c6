class Project < ApplicationRecord
  include Commentable

  belongs_to :account
  belongs_to :owner, class_name: "User"
  has_many :tasks
end
