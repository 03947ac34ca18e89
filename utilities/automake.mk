# utilities programs and files.
