variable "name" {
  type        = string
  description = "Name prefix of the endpoints' Name tags, for example count-prod."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,50}$", var.name))
    error_message = "name must be 2-51 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "create" {
  type        = bool
  description = "Make the endpoints. Needed where the tasks have no NAT gateway; where they have one, an endpoint keeps secret reads inside the VPC and independent of the NAT (stage and prod turn it on)."
  default     = true
}

variable "services" {
  type        = set(string)
  description = "AWS services to reach through interface endpoints, by endpoint service suffix (com.amazonaws.<region>.<service>)."
  default     = ["secretsmanager"]

  validation {
    condition     = length(var.services) > 0 && alltrue([for service in var.services : contains(["secretsmanager", "ecr.api", "ecr.dkr", "logs", "sts", "kms"], service)])
    error_message = "services must name at least one of secretsmanager, ecr.api, ecr.dkr, logs, sts, kms."
  }
}

variable "vpc_id" {
  type        = string
  description = "ID of the VPC (its DNS support and DNS host names must be on for private DNS; the vpc module turns both on)."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets to place an endpoint network interface in, one per availability zone the tasks run in."

  validation {
    condition     = length(var.subnet_ids) > 0
    error_message = "subnet_ids must name at least one subnet."
  }
}

variable "security_group_id" {
  type        = string
  description = "Security group of the endpoints: HTTPS (443) from the tasks and the rotation function only (security-groups output secretsmanager_endpoint_security_group_id)."
}
