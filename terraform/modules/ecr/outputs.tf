output "repository_url" {
  description = "URL to tag and push images to (account.dkr.ecr.region.amazonaws.com/name)."
  value       = aws_ecr_repository.this.repository_url
}

output "repository_arn" {
  description = "ARN of the repository (the task execution roles may pull from it)."
  value       = aws_ecr_repository.this.arn
}

output "repository_name" {
  description = "Name of the repository."
  value       = aws_ecr_repository.this.name
}
