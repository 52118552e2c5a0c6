class Task < ApplicationRecord
  include Commentable

  belongs_to :project
  belongs_to :creator,
             class_name: "User",
             inverse_of: :created_tasks
  belongs_to :assignee, class_name: "User", optional: true
  has_many :task_tags
  has_many :tags, through: :task_tags
end
