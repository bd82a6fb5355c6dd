output "dns_name" {
  description = "DNS name of the ALB (CloudFront's API origin unless a custom origin name is used)."
  value       = aws_lb.this.dns_name
}

output "arn_suffix" {
  description = "ARN suffix of the ALB (CloudWatch LoadBalancer dimension)."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn" {
  description = "ARN of the Producer target group."
  value       = aws_lb_target_group.producer.arn
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the Producer target group (CloudWatch TargetGroup dimension)."
  value       = aws_lb_target_group.producer.arn_suffix
}

output "resource_label" {
  description = "Resource label for ALBRequestCountPerTarget scaling."
  value       = "${aws_lb.this.arn_suffix}/${aws_lb_target_group.producer.arn_suffix}"
}

output "listener_protocol" {
  description = "HTTP or HTTPS: what CloudFront must speak to this ALB."
  value       = aws_lb_listener.this.protocol
}

output "listener_port" {
  description = "Port of the listener."
  value       = aws_lb_listener.this.port
}

output "origin_header_name" {
  description = "Name of the header CloudFront must send."
  value       = var.origin_header_name
}

output "origin_header_value" {
  description = "Secret value CloudFront must send in origin_header_name."
  value       = random_password.origin_header.result
  sensitive   = true
}
