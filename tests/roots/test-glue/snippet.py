print("loaded from a file")
