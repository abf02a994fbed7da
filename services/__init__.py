"""Use cases shared by the API and the activities: intake, order actions, the stock feed."""
