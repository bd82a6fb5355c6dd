variable "name" {
  type        = string
  description = "Name prefix for every resource, for example count-prod."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name must be 2-21 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "cidr_block" {
  type        = string
  description = "IPv4 CIDR block of the VPC; it is split into 16 subnets, so /16 to /20 fit."
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) <= 20
    error_message = "cidr_block must be a valid IPv4 CIDR block of size /20 or larger."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones that each get a public and a private subnet, named explicitly so the set never grows by itself (prod: 3)."

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 4 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "availability_zones must name 2 to 4 distinct zones: the ALB and RDS subnet groups need at least two."
  }
}

variable "one_nat_gateway_per_az" {
  type        = bool
  description = "true: a NAT gateway in every AZ (survives an AZ outage); false: one shared NAT gateway (cheaper)."
  default     = false
}

variable "flow_log_retention_days" {
  type        = number
  description = "Days CloudWatch keeps the VPC flow logs."
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be one of the retention periods CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}
