"""Folder layouts the field uses: ViViD's inference layout and its released dataset layout."""
