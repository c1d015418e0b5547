"""The scrutiny loop: case dip-sample audits (question sets, reproducible stratified samples,
reviewers' answers, summaries beside the same measures on every offence) and the
recommendations tracker (dated RAG updates), all kept in the operational store."""
