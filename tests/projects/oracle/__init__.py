"""MPXJ as an outside oracle for the P6 scheduling dialect."""
