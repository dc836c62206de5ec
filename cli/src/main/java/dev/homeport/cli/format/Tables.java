package dev.homeport.cli.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Plain-text tables laid out like {@code kubectl get}: upper-case headers, columns padded to their
 * widest cell and three spaces apart, {@code -} for an empty cell, no trailing spaces.
 */
public final class Tables {

  private static final String GAP = "   ";

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  private Tables(List<String> headers) {
    this.headers = List.copyOf(headers);
  }

  /** A table with these column headers. */
  public static Tables of(String... headers) {
    if (headers.length == 0) {
      throw new IllegalArgumentException("a table needs at least one column");
    }
    return new Tables(List.of(headers));
  }

  /** Adds a row; null or blank cells print as {@code -}. */
  public Tables row(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException(
          String.format(
              "a row of %d cells in a table of %d columns %s",
              cells.length, headers.size(), headers));
    }
    List<String> row = new ArrayList<>(cells.length);
    for (Object cell : cells) {
      String text = cell == null ? "" : String.valueOf(cell).replaceAll("\\s+", " ").trim();
      row.add(text.isEmpty() ? "-" : text);
    }
    rows.add(row);
    return this;
  }

  /** The table, one line per row after the header, each ending with a line break. */
  public String render() {
    int[] widths = new int[headers.size()];
    for (int c = 0; c < widths.length; c++) {
      widths[c] = headers.get(c).length();
      for (List<String> row : rows) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    StringBuilder out = new StringBuilder();
    line(out, headers, widths);
    for (List<String> row : rows) {
      line(out, row, widths);
    }
    return out.toString();
  }

  private static void line(StringBuilder out, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      if (c > 0) {
        line.append(GAP);
      }
      line.append(cells.get(c));
      if (c < cells.size() - 1) {
        line.append(" ".repeat(widths[c] - cells.get(c).length()));
      }
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }
}
