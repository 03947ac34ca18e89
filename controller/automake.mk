# controller programs and files.
