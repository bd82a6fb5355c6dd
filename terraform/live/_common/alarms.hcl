locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  app = read_terragrunt_config(find_in_parent_folders("app.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/../modules//alarms"
}

dependency "alb" {
  config_path = "${get_terragrunt_dir()}/../alb"

  mock_outputs = {
    arn_suffix              = "app/count-mock/0123456789abcdef"
    target_group_arn_suffix = "targetgroup/count-mock-producer/0123456789abcdef"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "rds" {
  config_path = "${get_terragrunt_dir()}/../rds"

  mock_outputs = {
    identifier = "count-mock"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "redis" {
  config_path = "${get_terragrunt_dir()}/../redis"

  mock_outputs = {
    member_clusters = ["count-mock-001"]
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  name                    = local.env.name_prefix
  environment             = local.env.environment
  queue_name              = local.app.queue_name
  queue_metric_namespace  = local.app.metrics_namespace
  alarm_emails            = local.env.alarm_emails
  alb_arn_suffix          = dependency.alb.outputs.arn_suffix
  target_group_arn_suffix = dependency.alb.outputs.target_group_arn_suffix
  db_instance_identifier  = dependency.rds.outputs.identifier
  redis_member_clusters   = dependency.redis.outputs.member_clusters
}
