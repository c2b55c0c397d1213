# csv-field.awk -v field=NAME: print the value of column NAME in the first
# data row of a CSV file with a header (e.g. nqif from a run's params.csv).
NR == 1 { for (i = 1; i <= NF; i++) if ($i == field) col = i; next }
NR == 2 { if (col) print $col; exit }
