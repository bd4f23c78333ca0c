"""Crime analysis as pure functions (numpy/scipy, no Django): significance of changes in
counts, near-repeat (Knox) tests, Getis-Ord Gi* hot spots. Arrays in, arrays out."""
