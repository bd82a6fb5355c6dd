output "endpoint_ids" {
  description = "Interface endpoint ID per service; empty when create is false."
  value       = { for service, endpoint in aws_vpc_endpoint.this : service => endpoint.id }
}

output "secretsmanager_endpoint_enabled" {
  description = "Whether Secrets Manager is reached through an endpoint of this VPC (otherwise through the NAT gateway)."
  value       = contains(keys(aws_vpc_endpoint.this), "secretsmanager")
}
