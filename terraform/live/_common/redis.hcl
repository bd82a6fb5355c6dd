locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  app = read_terragrunt_config(find_in_parent_folders("app.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/../modules//redis"
}

dependency "vpc" {
  config_path = "${get_terragrunt_dir()}/../vpc"

  mock_outputs = {
    private_subnet_ids = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "security_groups" {
  config_path = "${get_terragrunt_dir()}/../security-groups"

  mock_outputs = {
    redis_security_group_id = "sg-0123456789abcdef3"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

# TLS and AUTH are on: the image is built on Debian trixie, whose hiredis 1.2 speaks TLS.
# RBAC: the Producer and the Consumer each authenticate as their own user with their own
# password, allowed only the commands in modules/redis/acl/<program>.tftpl.
inputs = {
  name                        = local.env.name_prefix
  queue_name                  = local.app.queue_name
  subnet_ids                  = dependency.vpc.outputs.private_subnet_ids
  security_group_id           = dependency.security_groups.outputs.redis_security_group_id
  transit_encryption_enabled  = true
  auth_mode                   = "rbac"
  secret_recovery_window_days = local.env.deletion_protection ? 30 : 0
}
