package dev.speculators.train.golden;

/**
 * One compared quantity of a golden case: the worst error observed and the threshold it must stay
 * under.
 */
public record Measure(String quantity, double worst, double tolerance) {
  public boolean ok() {
    return !Double.isNaN(worst) && worst <= tolerance;
  }
}
