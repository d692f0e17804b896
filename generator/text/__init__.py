"""Text tools shared by readers and channels: URLs, counting, splitting, escaping."""
