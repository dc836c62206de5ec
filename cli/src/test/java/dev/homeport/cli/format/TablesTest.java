package dev.homeport.cli.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TablesTest {

  @Test
  void columnsArePaddedToTheWidestCellThreeSpacesApartWithoutTrailingSpaces() {
    String table =
        Tables.of("NAME", "PHASE", "MESSAGE")
            .row("mumbai", "Active", null)
            .row("frankfurt", "FailedOver", "probe failed")
            .render();

    assertThat(table)
        .isEqualTo(
            "NAME        PHASE        MESSAGE\n"
                + "mumbai      Active       -\n"
                + "frankfurt   FailedOver   probe failed\n");
  }

  @Test
  void emptyCellsAreDashesAndLineBreaksInCellsAreFlattened() {
    String table = Tables.of("A", "B").row("", "two\nlines  here").render();

    assertThat(table).isEqualTo("A   B\n-   two lines here\n");
  }

  @Test
  void aRowMustFitTheColumns() {
    assertThatThrownBy(() -> Tables.of("A", "B").row("only one"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a row of 1 cells in a table of 2 columns");
  }
}
