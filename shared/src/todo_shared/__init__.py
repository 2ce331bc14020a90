"""What more than one todo deployable needs: tokens, the denylist, the error envelope, settings, logging."""
