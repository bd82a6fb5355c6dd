locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/../modules//vpc-endpoints"
}

dependency "vpc" {
  config_path = "${get_terragrunt_dir()}/../vpc"

  mock_outputs = {
    vpc_id             = "vpc-0123456789abcdef0"
    private_subnet_ids = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "security_groups" {
  config_path = "${get_terragrunt_dir()}/../security-groups"

  mock_outputs = {
    secretsmanager_endpoint_security_group_id = "sg-0123456789abcdef7"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

# Secrets Manager only (the programs' DB_SECRET and REDIS_SECRET, the rotation function).
inputs = {
  name              = local.env.name_prefix
  create            = local.env.secretsmanager_endpoint
  vpc_id            = dependency.vpc.outputs.vpc_id
  subnet_ids        = dependency.vpc.outputs.private_subnet_ids
  security_group_id = dependency.security_groups.outputs.secretsmanager_endpoint_security_group_id
}
