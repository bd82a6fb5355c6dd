terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
      # A web ACL for CloudFront, and its log group, must live in us-east-1 whatever the
      # environment's region: root.hcl configures this alias for every unit.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
