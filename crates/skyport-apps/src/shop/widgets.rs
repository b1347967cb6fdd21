//! The shop's widgets (their files are in `widget/`).

use skyport::{Csp, Widget};

/// `shop-auth`'s sign-in form.
pub(crate) const SIGN_IN: &str = "shop-sign-in";
/// `shop-search`'s product carousel.
pub(crate) const CAROUSEL: &str = "product-carousel";
/// `shop-checkout`'s add-to-cart confirmation.
pub(crate) const CART_CONFIRMATION: &str = "cart-confirmation";
/// `shop-checkout`'s order summary and purchase.
pub(crate) const CHECKOUT: &str = "checkout";
/// `shop-membership`'s tier selection.
pub(crate) const MEMBERSHIP: &str = "membership-signup";

/// The three-screen sign-in (email, password, success), posting to
/// `POST /shop-auth/api/session/authenticate`.
pub(crate) fn sign_in() -> Widget {
    Widget::new(SIGN_IN)
        .title("Sign in to the shop")
        .description("A sign-in form in three steps: email, password (or a new account), success. The user types credentials only here; when they say they signed in, call get_shop_auth_status.")
        .body(include_str!("widget/sign-in.html"))
        .style(include_str!("widget/sign-in.css"))
        .script(include_str!("widget/sign-in.js"))
        .csp(Csp::new().connect_server())
        .prefers_border(true)
}

/// Product cards with images, prices, ratings and Add-to-cart buttons.
pub(crate) fn carousel() -> Widget {
    Widget::new(CAROUSEL)
        .title("Products")
        .description("A carousel of the products found: image, title, brand, price, rating, and an Add to cart button on each card that adds it to the session's cart.")
        .body(include_str!("widget/carousel.html"))
        .style(include_str!("widget/carousel.css"))
        .script(include_str!("widget/carousel.js"))
        .csp(Csp::new().resource_server())
}

/// The added product and the cart's totals.
pub(crate) fn cart_confirmation() -> Widget {
    Widget::new(CART_CONFIRMATION)
        .title("Added to cart")
        .description("Confirms the product added, with the cart's item count, totals and how far it is from free shipping; Checkout and Keep shopping buttons.")
        .body(include_str!("widget/cart-confirmation.html"))
        .style(include_str!("widget/cart-confirmation.css"))
        .script(include_str!("widget/cart-confirmation.js"))
        .csp(Csp::new().resource_server())
        .prefers_border(true)
}

/// The order summary, pre-filled shipping and payment, and "Place order".
pub(crate) fn checkout() -> Widget {
    Widget::new(CHECKOUT)
        .title("Checkout")
        .description("The order summary with the account's shipping address and payment method; the user reviews it and presses Place order, then sees the confirmation.")
        .body(include_str!("widget/checkout.html"))
        .style(include_str!("widget/checkout.css"))
        .script(include_str!("widget/checkout.js"))
        .csp(Csp::new().resource_server())
        .prefers_border(true)
}

/// The membership tiers and "Join".
pub(crate) fn membership() -> Widget {
    Widget::new(MEMBERSHIP)
        .title("Membership")
        .description(
            "The membership tiers with prices and benefits; the user picks one and presses Join.",
        )
        .body(include_str!("widget/membership.html"))
        .style(include_str!("widget/membership.css"))
        .script(include_str!("widget/membership.js"))
        .csp(Csp::new())
        .prefers_border(true)
}
