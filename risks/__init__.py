"""The risks domain: project and program risks with computed score, band and EMV, their score
history, mitigation actions, escalation to the program, realisation into issues with reserve
drawdowns, the 5x5 heat map and exposure against contingency and management reserve."""
