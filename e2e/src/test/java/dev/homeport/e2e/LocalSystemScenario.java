package dev.homeport.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** A scenario class with its own local system, started before its tests and stopped after. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LocalSystemScenario {

  protected LocalSystem system;

  /** The system for this class; by default {@link Scenarios#start(String)}. */
  protected LocalSystem startSystem() {
    return Scenarios.start(getClass().getSimpleName());
  }

  @BeforeAll
  final void startLocalSystem() {
    system = startSystem();
  }

  @AfterAll
  final void stopLocalSystem() {
    if (system != null) {
      system.close();
    }
  }
}
