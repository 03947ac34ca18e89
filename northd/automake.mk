# northd programs and files.
