# Documentation programs and files.
