"""How people reach the advisor in Slack: the Bolt app, its listeners and its Block Kit views."""
