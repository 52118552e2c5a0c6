class User < ApplicationRecord
  belongs_to :account
  has_many :owned_projects, class_name: "Project", foreign_key: :owner_id
  has_many :created_tasks, class_name: "Task", foreign_key: :creator_id
  has_many :assigned_tasks, class_name: "Task", foreign_key: :assignee_id
end
