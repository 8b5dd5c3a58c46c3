public class BigDecimalInit { public static void main(String[] a) { long t=System.nanoTime(); Object x = java.math.BigDecimal.ONE; System.out.println((System.nanoTime()-t)/1000000 + " ms " + x); } }
