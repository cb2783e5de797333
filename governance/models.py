"""Program governance: stage gates, change requests, the decision log, benefits and operating
level agreements."""
