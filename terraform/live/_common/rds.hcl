locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  app = read_terragrunt_config(find_in_parent_folders("app.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/../modules//rds"
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
    db_security_group_id          = "sg-0123456789abcdef4"
    db_rotation_security_group_id = "sg-0123456789abcdef8"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  name                        = local.env.name_prefix
  subnet_ids                  = dependency.vpc.outputs.private_subnet_ids
  security_group_id           = dependency.security_groups.outputs.db_security_group_id
  deletion_protection         = local.env.deletion_protection
  secret_recovery_window_days = local.env.deletion_protection ? 30 : 0
  database_name               = local.app.database_name

  # Stage and prod: the programs' secrets rotate (alternating users) by AWS's multi-user rotation
  # function in the private subnets, reaching the database and the Secrets Manager endpoint.
  rotation_days              = local.env.db_secret_rotation_days
  rotation_security_group_id = dependency.security_groups.outputs.db_rotation_security_group_id
}
