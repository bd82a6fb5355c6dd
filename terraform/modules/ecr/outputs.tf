output "repository_urls" {
  description = "Repository name => URL to tag and push images to (account.dkr.ecr.region.amazonaws.com/prefix/name)."
  value       = { for key, repo in aws_ecr_repository.this : key => repo.repository_url }
}

output "repository_arns" {
  description = "Repository name => ARN (each task execution role may pull from its own)."
  value       = { for key, repo in aws_ecr_repository.this : key => repo.arn }
}
